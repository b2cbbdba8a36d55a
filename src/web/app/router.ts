// A small history router: the path picks the page, ?account=<id> the account being viewed.
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  params: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, params: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

/** A page link that keeps the viewed account unless another is given. */
export function pageHref(path: string, accountId: string | null): string {
  return accountId ? `${path}?account=${encodeURIComponent(accountId)}` : path;
}

/** Lets plain <a href="/…"> links inside the app change page without a reload. */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    const anchor = (event.target as HTMLElement).closest('a');
    if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const href = anchor.getAttribute('href');
    if (!href || !href.startsWith('/') || anchor.target || anchor.hasAttribute('download') || href.startsWith('/certificates/') || href.startsWith('/docs')) return;
    event.preventDefault();
    navigate(href);
  });
}
