/**
 * The CloudWatch metrics the rotation function writes (embedded metric format) and the
 * construct's dashboard and alarms read.
 */
export const METRIC_NAMESPACE = 'RotatingJwtKeys';
/** The one dimension: the secret's name without the random suffix of its ARN. */
export const SECRET_NAME_DIMENSION = 'SecretName';

export const ROTATION_METRICS = ['KeyRotated', 'KeyRetired', 'KeyAgeSeconds'] as const;
export type RotationMetric = (typeof ROTATION_METRICS)[number];
