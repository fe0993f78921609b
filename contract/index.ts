export * from './result';
export * from './domain';
export * from './personnummer';
export * from './api';
export * from './client';
export * from './transport';
export * from './server-api';
export * from './auth';
