const NOISE_FILES = new Set(['.ds_store', 'thumbs.db', 'ehthumbs.db', 'desktop.ini']);

/**
 * Files operating systems add when zipping a folder: macOS resource forks (`__MACOSX/`, AppleDouble
 * `._name`) and Finder/Explorer metadata. They are skipped and counted, never rejected.
 */
export function isOsNoise(name: string): boolean {
  const segments = name.split('/');
  if (segments.includes('__MACOSX')) return true;
  const base = segments[segments.length - 1];
  return base.startsWith('._') || NOISE_FILES.has(base.toLowerCase());
}
