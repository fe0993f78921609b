import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { GRANT_ROLE_LABELS_SV, GrantRole, swedishDate, type AdminPerson, type AppError, type CardStatus, type Grant, type PeopleResponse, type Result } from '#contract';
import { DateField } from '../../components/DateField';
import { useSession } from '../../state/session-store';
import { addPerson, addPersonFromCard, confirmGrant, endGrant, grantPermission, loadPeople, watchCardReaders } from './admin-actions';
import { AdminError, Done } from './admin-notices';

const text = (form: HTMLFormElement, name: string) => (new FormData(form).get(name) as string | null)?.trim() ?? '';

/** People of the organisation, their grants (end, confirm), adding a person and granting. */
export function PeoplePanel() {
  const { t } = useTranslation();
  const [data, setData] = useState<PeopleResponse | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [readers, setReaders] = useState<string[]>([]);
  const [grantee, setGrantee] = useState('');
  const me = useSession((s) => s.session?.user?.id ?? null);

  const apply = useCallback((r: Result<PeopleResponse>) => (r.ok ? setData(r.value) : setError(r.error)), []);
  const load = useCallback(async () => apply(await loadPeople()), [apply]);
  useEffect(() => {
    void loadPeople().then(apply);
    // Readers holding a card other than the one the administrator is logged in with, as cards come and go.
    const readersOf = (c: CardStatus) => setReaders(c.readers.filter((x) => x.cardPresent && x.name !== c.selectedReader).map((x) => x.name));
    return watchCardReaders(readersOf);
  }, [apply]);

  const run = async <T,>(p: Promise<Result<T>>, message: (v: T) => string, form?: HTMLFormElement) => {
    setError(null);
    setDone(null);
    const r = await p;
    if (!r.ok) return setError(r.error);
    setDone(message(r.value));
    form?.reset();
    await load();
  };
  const added = (p: AdminPerson) => t('admin.add.added', { name: `${p.givenName} ${p.familyName}` });

  const addTyped = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    void run(addPerson({ hsaId: text(f, 'hsaId'), givenName: text(f, 'givenName'), familyName: text(f, 'familyName'), title: text(f, 'title') }), added, f);
  };
  const addFromCard = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    void run(addPersonFromCard({ reader: text(f, 'reader'), title: text(f, 'title') }), added, f);
  };
  const grant = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = e.currentTarget;
    const unit = text(f, 'unitId');
    const to = text(f, 'validTo');
    void run(
      grantPermission({ staffId: text(f, 'staffId'), role: GrantRole.parse(text(f, 'role')), unitId: unit === '' ? null : unit, validFrom: text(f, 'validFrom'), validTo: to === '' ? null : to }),
      (g: Grant) => t(g.status === 'pending_confirmation' ? 'admin.grant.pending' : 'admin.grant.granted'),
      f,
    );
    setGrantee('');
  };

  return (
    <>
      <AdminError error={error} />
      <Done text={done} />
      <h3>{t('admin.add.heading')}</h3>
      <form aria-label={t('admin.add.heading')} onSubmit={addTyped}>
        <label>
          {t('admin.add.hsaId')}
          <input name="hsaId" required placeholder="SE2321000131-P000000000123" />
        </label>
        <label>
          {t('admin.add.givenName')}
          <input name="givenName" required />
        </label>
        <label>
          {t('admin.add.familyName')}
          <input name="familyName" required />
        </label>
        <label>
          {t('admin.add.title')}
          <input name="title" required />
        </label>
        <button type="submit">{t('admin.add.submit')}</button>
      </form>
      <form aria-label={t('admin.add.fromCard')} onSubmit={addFromCard}>
        <label>
          {t('admin.add.reader')}
          <select name="reader" required disabled={readers.length === 0}>
            {readers.length === 0 && <option value="">{t('admin.add.noReader')}</option>}
            {readers.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.add.title')}
          <input name="title" required />
        </label>
        <button type="submit" disabled={readers.length === 0}>
          {t('admin.add.submitCard')}
        </button>
      </form>

      {data && (
        <>
          <h3>{t('admin.grant.heading')}</h3>
          <form aria-label={t('admin.grant.heading')} onSubmit={grant}>
            <label>
              {t('admin.grant.person')}
              {/* No person preselected; choosing another one starts the rest of the form afresh (issue 32). */}
              <select name="staffId" required value={grantee} onChange={(e) => setGrantee(e.target.value)}>
                <option value="" disabled>
                  {t('admin.grant.choosePerson')}
                </option>
                {data.people.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.givenName} {p.familyName} ({p.hsaId})
                  </option>
                ))}
              </select>
            </label>
            <GrantFields key={grantee} units={data.units} />
            <button type="submit" disabled={grantee === ''}>
              {t('admin.grant.submit')}
            </button>
          </form>

          <h3>{t('admin.people.heading')}</h3>
          <table aria-label={t('admin.people.heading')}>
            <tbody>
              {data.people.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    {p.givenName} {p.familyName}
                    <br />
                    <small>
                      {p.hsaId}, {p.title}
                    </small>
                  </th>
                  <td>
                    {p.grants.length === 0 && t('admin.people.none')}
                    <ul className="grant-list">
                      {p.grants.map((g) => (
                        <GrantLine
                          key={g.id}
                          grant={g}
                          name={`${p.givenName} ${p.familyName}`}
                          mine={g.grantedById !== null && g.grantedById === me}
                          onEnd={(endsOn) => run(endGrant({ id: g.id, endsOn }), () => t('admin.people.ended'))}
                          onConfirm={() => void run(confirmGrant(g.id), () => t('admin.people.confirmed'))}
                        />
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {!data && !error && <p>{t('admin.loading')}</p>}
    </>
  );
}

/** What is granted, and from when: new for every person chosen (remounted by key). */
function GrantFields({ units }: { units: PeopleResponse['units'] }) {
  const { t } = useTranslation();
  return (
    <>
      <label>
        {t('admin.grant.role')}
        <select name="role" required defaultValue="">
          <option value="" disabled>
            {t('admin.grant.chooseRole')}
          </option>
          {GrantRole.options.map((r) => (
            <option key={r} value={r}>
              {GRANT_ROLE_LABELS_SV[r]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('admin.grant.unit')}
        <select name="unitId">
          {units.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
          <option value="">{t('admin.grant.wholeOrganisation')}</option>
        </select>
      </label>
      <DateField label={t('admin.grant.from')} name="validFrom" required defaultValue={swedishDate()} />
      <DateField label={t('admin.grant.to')} name="validTo" />
    </>
  );
}

/**
 * One grant. "Bekräfta" only for another administrator than the grantor (four-eyes). "Avsluta"
 * asks from which day, with no day chosen for her, and says what will happen before it does it.
 */
function GrantLine({ grant: g, name, mine, onEnd, onConfirm }: { grant: Grant; name: string; mine: boolean; onEnd: (endsOn: string) => Promise<unknown>; onConfirm: () => void }) {
  const { t } = useTranslation();
  const ids = useId();
  const [asking, setAsking] = useState(false);
  const [endsOn, setEndsOn] = useState('');
  const [missing, setMissing] = useState(false);
  const role = `${GRANT_ROLE_LABELS_SV[g.role]}${g.unitName ? `, ${g.unitName}` : ''}`;
  const endsLater = g.endedAt !== null && g.status !== 'ended' && g.validTo !== null;
  return (
    <li>
      {role} · {t('admin.people.period', { from: g.validFrom, to: g.validTo ?? t('admin.people.untilFurther') })} · {t(`admin.status.${g.status}`)}
      {endsLater && ` · ${t('admin.people.endsLater', { date: dayAfter(g.validTo!) })}`}
      {g.grantedBy && ` · ${t('admin.people.grantedBy', { name: g.grantedBy })}`}{' '}
      {g.status === 'pending_confirmation' && !mine && (
        <button type="button" aria-label={t('admin.people.confirmLabel', { role, name })} onClick={onConfirm}>
          {t('admin.people.confirm')}
        </button>
      )}
      {g.status === 'pending_confirmation' && mine && <small className="hint"> {t('admin.people.ownGrant')}</small>}{' '}
      {g.status !== 'ended' && !asking && (
        <button type="button" className="button-quiet" aria-label={t('admin.people.endLabel', { role, name })} onClick={() => setAsking(true)}>
          {t('admin.people.end')}
        </button>
      )}
      {asking && (
        <div className="confirm-box" role="group" aria-label={t('admin.people.endLabel', { role, name })}>
          <DateField id={`${ids}-ends`} label={t('admin.people.endsOn')} value={endsOn} min={swedishDate()} required onChange={setEndsOn} />
          <p className="hint">{endsOn ? t('admin.people.endQuestion', { role, name, date: endsOn, last: dayBefore(endsOn) }) : t('admin.people.endsOnHint')}</p>
          {missing && !endsOn && (
            <p className="field-error" role="alert">
              {t('admin.people.endChooseDate')}
            </p>
          )}
          <button
            type="button"
            onClick={() => {
              if (!endsOn) return setMissing(true);
              void onEnd(endsOn).then(() => setAsking(false));
            }}
          >
            {t('admin.people.endConfirm')}
          </button>{' '}
          <button type="button" className="button-plain" onClick={() => setAsking(false)}>
            {t('admin.people.endCancel')}
          </button>
        </div>
      )}
    </li>
  );
}

const shift = (day: string, by: number) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + by)).toISOString().slice(0, 10);
};
const dayBefore = (day: string) => shift(day, -1);
const dayAfter = (day: string) => shift(day, 1);
