/** Small text helpers for human-readable output. */

export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const seconds = rest - minutes * 60;
  const parts = [
    days > 0 ? `${days}d` : '',
    hours > 0 ? `${hours}h` : '',
    minutes > 0 ? `${minutes}m` : '',
    days === 0 && hours === 0 && (minutes === 0 || seconds > 0) ? `${seconds}s` : '',
  ].filter((part) => part !== '');
  return sign + parts.join(' ');
}

export function iso(date: Date | undefined): string | null {
  return date === undefined ? null : date.toISOString();
}

export function keyLabel(key: { kid?: string; versionId: string } | undefined): string {
  if (key === undefined) return 'none';
  return key.kid === undefined
    ? `version ${key.versionId} (not a valid key document)`
    : `kid ${key.kid}`;
}
