import type { ComponentType } from 'react';
import { UnitsScreen } from './UnitsScreen';

/**
 * The workstation's screens, in menu order. A feature adds one entry here; `labelKey` is an
 * i18n key under `nav.` in renderer/src/i18n/sv.ts.
 */
export interface ScreenEntry {
  id: string;
  labelKey: string;
  Component: ComponentType;
}

export const screens: ScreenEntry[] = [{ id: 'units', labelKey: 'nav.units', Component: UnitsScreen }];
