import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ErrorReason } from '../../../contract';
import { sv } from '../../../renderer/src/i18n/sv';

/**
 * Error codes become Swedish text in one place (docs/adding-a-feature.md, "Errors"): the renderer's
 * errorText with `errors.<CODE>` and `errorReasons.<REASON>` in renderer/src/i18n/sv.ts. The
 * workstation's main process returns a code and structured details, never a Swedish sentence as an
 * error's message. These files are the exceptions, each for its reason.
 */
const ALLOWED: Record<string, string> = {
  // startup errors of the machine's configuration and Windows policy: shown in a dialog before any UI (and its texts) exists
  'main/config/machine-config.ts': 'startup, before any UI',
  'main/config/windows-policy.ts': 'startup, before any UI',
  // the key vault and the demo card's absence: the same startup dialog (main/electron/shell.ts)
  'main/electron/key-vault.ts': 'startup, before any UI',
  'main/electron/index.ts': 'startup, before any UI',
};

const ROOT = path.resolve(__dirname, '../../..');
const SWEDISH = /[åäöÅÄÖ]|\b(och|inte|finns|redan|ingen|inget|saknas|har|kan|till|med|för|det|som|en|ett|är|ogiltig\w*|anrop\w*|fel|servern|kortet|enheten|brukaren)\b/i;

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return filesUnder(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The text of a string literal or template (its literal parts), else null. */
function literalText(node: ts.Node): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  if (ts.isConditionalExpression(node)) return [literalText(node.whenTrue), literalText(node.whenFalse)].filter((t) => t !== null).join(' ') || null;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return [literalText(node.left), literalText(node.right)].filter((t) => t !== null).join(' ') || null;
  return null;
}

/** Each Swedish literal handed to an error: `new AppFailure(…)`, `new …Error(…)`, `err(…)`, `AppFailure.<x>(…)`. */
export function swedishErrorMessages(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    let args: readonly ts.Expression[] | undefined;
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && /^(AppFailure|\w*Error)$/.test(node.expression.text)) args = node.arguments;
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && callee.text === 'err') args = node.arguments;
      // AppFailure.fromServer / .rule hand on the server's or the contract's words (PLAN_MESSAGES …), never a literal written here
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'AppFailure') args = node.arguments;
    }
    for (const a of args ?? []) {
      const text = literalText(a);
      if (text !== null && SWEDISH.test(text)) found.push(`${file}:${sf.getLineAndCharacterOfPosition(a.getStart()).line + 1}: ${text.slice(0, 80)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('error texts in one place', () => {
  it('no module of main/ (but the startup ones) passes a Swedish literal as an error message', () => {
    const found = filesUnder('main')
      .filter((f) => !(f in ALLOWED))
      .flatMap((f) => swedishErrorMessages(f, readFileSync(path.join(ROOT, f), 'utf8')));
    expect(found, 'return a code with details (because(…)) and give the reason its text in renderer/src/i18n/sv.ts').toEqual([]);
  });

  it('the check finds a Swedish message, in every form it is written in', () => {
    const probe = [
      "throw new AppFailure('NOT_FOUND', 'Planen finns inte');",
      'throw new Error(`Nyckeln har fel längd (${n})`);',
      "return err('VALIDATION', 'Ogiltigt anrop');",
      "throw new AppFailure('CONFLICT', 'Det finns redan en annan post med samma id.');",
      "throw AppFailure.rule('CONFLICT', 'Posten finns redan');",
      "throw new AppFailure('NO_CARD', x ? 'Kortläsaren saknas' : 'no card');",
    ].join('\n');
    expect(swedishErrorMessages('probe.ts', probe)).toHaveLength(6);
    expect(swedishErrorMessages('probe.ts', "throw new AppFailure('NOT_FOUND', 'plan not found', because('PLAN_NOT_IN_UNITS'));")).toEqual([]);
  });

  it('every ErrorCode of the contract has its Swedish text', () => {
    const missing = ErrorCode.options.filter((c) => typeof (sv.errors as Record<string, unknown>)[c] !== 'string' || (sv.errors as Record<string, string>)[c]!.trim() === '');
    expect(missing).toEqual([]);
  });

  it('every ErrorReason of the contract has its Swedish text', () => {
    const reasons = sv.errorReasons as Record<string, unknown>;
    const missing = ErrorReason.options.filter((r) => typeof reasons[r] !== 'string' || (reasons[r] as string).trim() === '');
    expect(missing).toEqual([]);
    // and no text for a reason main cannot give
    expect(Object.keys(reasons).filter((r) => !(ErrorReason.options as readonly string[]).includes(r))).toEqual([]);
  });
});
