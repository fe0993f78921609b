import { describe, expect, it } from 'vitest';
import { DEMO_ONLY_FILES, signingConfig } from '../../../scripts/package';

/**
 * How `npm run package` signs (docs/windows.md, "Sign"): from the secrets the release pipeline puts
 * in the environment, Azure Trusted Signing or signtool with an HSM-held key; a release fails
 * unsigned. The signing itself needs Windows and the keys.
 */
describe('signing configuration from the environment', () => {
  const azure = { AZURE_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net', AZURE_SIGNING_ACCOUNT: 'kommun', AZURE_SIGNING_PROFILE: 'omsorg', AZURE_SIGNING_PUBLISHER: 'Omsorgsportalen AB' };

  it('Azure Trusted Signing when its four settings are there', () => {
    expect(signingConfig(azure, false)).toEqual({
      win: { azureSignOptions: { endpoint: 'https://weu.codesigning.azure.net', codeSigningAccountName: 'kommun', certificateProfileName: 'omsorg', publisherName: 'Omsorgsportalen AB' } },
    });
  });

  it('signtool with a hardware-held key, by its certificate’s thumbprint', () => {
    expect(signingConfig({ WINDOWS_SIGN_CERT_SHA1: 'AB12' }, false)).toEqual({
      win: { signtoolOptions: { certificateSha1: 'AB12', signingHashAlgorithms: ['sha256'], rfc3161TimeStampServer: 'http://timestamp.acs.microsoft.com' } },
    });
  });

  it('a release must be signed (forceCodeSigning); without secrets an ordinary build is unsigned; half an Azure setup is an error', () => {
    expect(signingConfig({}, true)).toEqual({ forceCodeSigning: true });
    expect(signingConfig({}, false)).toEqual({});
    expect(signingConfig(azure, true).forceCodeSigning).toBe(true);
    expect(() => signingConfig({ AZURE_SIGNING_ENDPOINT: 'x' }, true)).toThrow(/måste alla vara satta/);
  });

  it('the production build leaves the software card out', () => {
    expect(DEMO_ONLY_FILES).toEqual(['dist/main/softcard-demo.cjs']);
  });
});
