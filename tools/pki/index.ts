export * from './ca';
export * from './person';
export { generateKeyPair, privateKeyToPem, privateKeyFromPem, type KeyAlgorithm } from './keys';
