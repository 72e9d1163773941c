import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/events`, `#/streams/<id>`): the daemon serves one static index.html and needs no
 * fallback route. Nothing secret ever goes into the hash.
 */
export interface Route {
  name: string;
  param?: string;
}

export function parseRoute(hash: string): Route {
  const [name = 'events', ...rest] = hash.replace(/^#\/?/, '').split('/');
  return { name: name || 'events', param: rest.length ? decodeURIComponent(rest.join('/')) : undefined };
}

export function href(name: string, param?: string): string {
  return param === undefined ? `#/${name}` : `#/${name}/${encodeURIComponent(param)}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
