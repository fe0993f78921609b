import { z } from 'zod';

// Every validation message in Swedish, in every process that uses the contract (server, workstation,
// renderer, the officer and admin commands): zod's own Swedish locale, where a schema gives no message.
z.config(z.locales.sv());

export * from './result';
export * from './domain';
export * from './personnummer';
export * from './api';
export * from './client';
export * from './transport';
export * from './server-api';
export * from './auth';
export * from './sync';
export * from './journal';
export * from './access-log';
export * from './dates';
export * from './sync-kind';
export * from './clients';
export * from './daynotes';
export * from './deviations';
export * from './consents';
export * from './assignments';
export * from './assignment-actions';
export * from './inbox';
export * from './call';
export * from './values';
export * from './plans';
export * from './ksi';
export * from './messages';
export * from './notices';
export * from './admin';
export * from './log-review';
export * from './incidents';
export * from './support';
export * from './password-login';
