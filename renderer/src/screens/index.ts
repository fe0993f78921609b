import type { ComponentType } from 'react';
import { AdminScreen } from './admin/AdminScreen';
import { InboxBadge } from './assignments/InboxBadge';
import { InboxScreen } from './assignments/InboxScreen';
import { ClientsScreen } from './clients/ClientsScreen';
import { DeviationsScreen } from './deviations/DeviationsScreen';
import { IncidentsBadge } from './incidents/IncidentsBadge';
import { IncidentsScreen } from './incidents/IncidentsScreen';
import { MessageNotice } from './messages/MessageNotice';
import { MessagesBadge } from './messages/MessagesBadge';
import { MessagesScreen } from './messages/MessagesScreen';
import { NoticeBanner } from './notices/NoticeBanner';
import { NoticesScreen } from './notices/NoticesScreen';
import { DuePlansScreen } from './plans/DuePlansScreen';
import { SupportScreen } from './support/SupportScreen';
import { UnitsScreen } from './UnitsScreen';

/**
 * The workstation's screens, in menu order. A feature adds one entry here; `labelKey` is an
 * i18n key under `nav.` in renderer/src/i18n/sv.ts.
 */
export interface ScreenEntry {
  id: string;
  labelKey: string;
  Component: ComponentType;
  /** Shown beside the label in the menu, e.g. the inbox's count of what needs action. */
  Badge?: ComponentType;
  /** Shown above every screen while it has something to say (a notice that a message came). */
  Banner?: ComponentType;
  /** Offered only to a user holding one of these roles (the server enforces it regardless). */
  roles?: readonly ('it_contact' | 'superuser' | 'manager')[];
  /**
   * The function it serves (issue 29, server/auth/assurance.ts): a session below that function's
   * level sees the screen closed, with why and how to get in. Absent: client data.
   */
  serves?: 'notices' | 'messages' | 'own_settings';
}

export const screens: ScreenEntry[] = [
  { id: 'units', labelKey: 'nav.units', Component: UnitsScreen, serves: 'own_settings' },
  { id: 'inbox', labelKey: 'nav.inbox', Component: InboxScreen, Badge: InboxBadge },
  { id: 'clients', labelKey: 'nav.clients', Component: ClientsScreen },
  { id: 'plans', labelKey: 'nav.plans', Component: DuePlansScreen },
  { id: 'messages', labelKey: 'nav.messages', Component: MessagesScreen, Badge: MessagesBadge, Banner: MessageNotice, serves: 'messages' },
  { id: 'notices', labelKey: 'nav.notices', Component: NoticesScreen, Banner: NoticeBanner, serves: 'notices' },
  { id: 'incidents', labelKey: 'nav.incidents', Component: IncidentsScreen, Badge: IncidentsBadge },
  { id: 'admin', labelKey: 'nav.admin', Component: AdminScreen, roles: ['it_contact'] },
  { id: 'support', labelKey: 'nav.support', Component: SupportScreen, roles: ['superuser', 'it_contact'] },
  { id: 'deviations', labelKey: 'nav.deviations', Component: DeviationsScreen },
];
