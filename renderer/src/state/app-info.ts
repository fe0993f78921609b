import { api } from '../bridge';

/** This PC's release and its last crash (main/electron/app-log.ts), for the footer and Support. */
export const loadAppInfo = () => api.app.info({});
