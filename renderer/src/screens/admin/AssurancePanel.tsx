import { useTranslation } from 'react-i18next';
import { useSession } from '../../state/session-store';
import { KsiListPanel } from '../plans/KsiListPanel';

/**
 * What each assurance level opens (issue 29), as the server is configured (LOA_LEVELS,
 * server/auth/assurance.ts; docs/login.md): one row per function and the level it needs, and the
 * login methods this server offers.
 */
export function AssurancePanel() {
  const { t } = useTranslation();
  const methods = useSession((s) => s.methods);
  if (!methods) return <p>{t('admin.loading')}</p>;
  return (
    <section aria-labelledby="assurance-heading">
      <h3 id="assurance-heading">{t('admin.assurance.heading')}</h3>
      <p>{t('admin.assurance.intro')}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('admin.assurance.function')}</th>
            <th scope="col">{t('admin.assurance.level')}</th>
          </tr>
        </thead>
        <tbody>
          {(methods.assurance ?? []).map((row) => (
            <tr key={row.function}>
              <td>{t(`admin.assurance.functions.${row.function}`)}</td>
              <td>{t('admin.assurance.loa', { level: row.loa })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        {methods.oidc
          ? t('admin.assurance.idp', { name: methods.oidc.name, levels: methods.oidc.levels.join(', ') })
          : t('admin.assurance.noIdp')}
      </p>
      <KsiListPanel />
    </section>
  );
}
