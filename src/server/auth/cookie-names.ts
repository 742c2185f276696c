// Cookie and header names shared by the server and the browser client: plain constants, no
// imports, so the client bundle can take them without pulling server code.

export const SESSION_COOKIE = "celeriac_session";
/** Readable by the page (not httpOnly): the double-submit CSRF token echoed in CSRF_HEADER. */
export const CSRF_COOKIE = "celeriac_csrf";
export const CSRF_HEADER = "x-celeriac-csrf";
