import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl } from '../../../main/electron/navigation';

describe('which links may open in the system browser', () => {
  it.each(['https://www.socialstyrelsen.se/', 'https://socialstyrelsen.se/regler', 'https://inera.se/', 'https://www.inera.se/tjanster?x=1#a'])(
    'allows %s',
    (url) => expect(isAllowedExternalUrl(url)).toBe(true),
  );

  it.each([
    ['plain http', 'http://www.socialstyrelsen.se/'],
    ['another site', 'https://evil.example/'],
    ['a look-alike host', 'https://www.socialstyrelsen.se.evil.example/'],
    ['a subdomain not listed', 'https://evil.inera.se/'],
    ['credentials in the URL', 'https://user:pw@inera.se/'],
    ['a user part hiding the host', 'https://inera.se@evil.example/'],
    ['another port', 'https://inera.se:8443/'],
    ['file://', 'file:///C:/Windows/System32/calc.exe'],
    ['javascript:', 'javascript:alert(1)'],
    ['a UNC/smb link', 'smb://inera.se/share'],
    ['our own app', 'app://workstation/index.html'],
    ['not a URL', 'inera.se'],
  ])('refuses %s', (_why, url) => expect(isAllowedExternalUrl(url)).toBe(false));
});
