/**
 * @peculiar/x509 through one door, for the server's certificate validation, the test PKI
 * (tools/pki) and the tests: its DI container (tsyringe) needs the Reflect metadata polyfill
 * loaded first, and it signs with Node's WebCrypto.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export * from '@peculiar/x509';
