/**
 * The sandboxed preload (bundled into one CJS file, dist/preload/index.cjs: a sandboxed preload
 * can require only 'electron' and a few polyfilled modules). Exposes exactly one global,
 * `window.omsorg`; ipcRenderer itself never reaches the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadBridge } from './bridge';

contextBridge.exposeInMainWorld('omsorg', createPreloadBridge(ipcRenderer));
