// A broker URL safe to log: the password masked as kombu's maybe_sanitize_url does (kombu/utils/url.py).

/** Returns `url` with any password replaced by `**` (`redis://:**@host:6379/0`). */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, "$1**@");
}
