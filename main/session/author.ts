import type { Author, LoginUser } from '#contract';

/** The author the server will stamp, as the workstation shows it until the server's copy arrives. */
export const authorOf = (user: LoginUser): Author => ({
  staffId: user.id,
  hsaId: user.hsaId,
  name: `${user.givenName} ${user.familyName}`,
  title: user.title,
});
