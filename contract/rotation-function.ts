/**
 * The rotation function's Handler setting, `<module>.<export>`: `npm run build` bundles
 * lambda/rotation/handler.ts into `<module>.js` (which exports the handler as `<export>`), the
 * construct gives Lambda this value, and tests load the bundle's export by the same name.
 */
export const ROTATION_HANDLER = 'index.handler';
