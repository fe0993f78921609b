import { create } from 'zustand';
import type { AppError, PasswordStep } from '#contract';
import { api } from '../bridge';
import { useSession } from './session-store';

/** The card-less login (issue 29): password first, then the one-time code; the step's token stays in main. */
interface PasswordLoginStore {
  step: PasswordStep | null;
  busy: boolean;
  error: AppError | null;
  start(input: { username: string; password: string; method?: 'sms' | 'yubikey' }): Promise<boolean>;
  verify(code: string): Promise<boolean>;
  restart(): void;
}

export const usePasswordLogin = create<PasswordLoginStore>((set) => ({
  step: null,
  busy: false,
  error: null,
  async start(input) {
    set({ busy: true, error: null });
    const r = await api.session.passwordStart(input);
    set(r.ok ? { step: r.value, busy: false } : { error: r.error, busy: false });
    return r.ok;
  },
  async verify(code) {
    set({ busy: true, error: null });
    const r = await api.session.passwordVerify({ code });
    if (r.ok) {
      set({ step: null, busy: false });
      useSession.setState({ session: r.value, loginError: null });
      return true;
    }
    // A spent login (three wrong codes, too late, locked) starts over from the password.
    const over = r.error.code === 'ACCOUNT_LOCKED';
    set({ error: r.error, busy: false, ...(over ? { step: null } : {}) });
    return false;
  },
  restart() {
    set({ step: null, error: null });
  },
}));
