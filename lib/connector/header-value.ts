/**
 * Whether `value` can be sent as a header's value: Node's rule (tab, visible ASCII, and Latin-1
 * beyond it), which fetch's Headers also keeps to. A credential that breaks it (a newline, a key
 * pasted with its PEM armour) fails in the request, where it reads as a network error.
 */
export function isHeaderValue(value: string): boolean {
  return !/[^\t\x20-\x7e\x80-\xff]/.test(value);
}
