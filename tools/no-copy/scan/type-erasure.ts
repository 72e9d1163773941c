/**
 * Where a TypeScript file has type-only syntax (annotations, interfaces, type aliases, type arguments, `as T`,
 * `!`, access modifiers, `implements`, overload signatures, `declare`). The lexer skips tokens in these ranges,
 * so a JavaScript function copied into TypeScript and given types still reads like its source. Parsing uses the
 * TypeScript compiler's parser (a dev dependency) only; nothing is type-checked.
 */
import type * as TypeScript from 'typescript';

/** Loaded on first use: a warm scan whose files all come from the cache never pays for the compiler. */
let loaded: typeof TypeScript | undefined;
function typescript(): typeof TypeScript {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (about 0.4 s to load)
  return (loaded ??= require('typescript') as typeof TypeScript);
}

export type Range = [start: number, end: number];

const typeOnlyModifiers = (ts: typeof TypeScript) => new Set([
  ts.SyntaxKind.PublicKeyword,
  ts.SyntaxKind.PrivateKeyword,
  ts.SyntaxKind.ProtectedKeyword,
  ts.SyntaxKind.ReadonlyKeyword,
  ts.SyntaxKind.AbstractKeyword,
  ts.SyntaxKind.OverrideKeyword,
  ts.SyntaxKind.DeclareKeyword,
]);

export function typeOnlyRanges(text: string, fileName: string): Range[] {
  const ts = typescript();
  const TYPE_ONLY_MODIFIERS = typeOnlyModifiers(ts);
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const ranges: Range[] = [];
  const whole = (node: TypeScript.Node) => ranges.push([node.getStart(source), node.end]);
  // `: T`: from the colon (the last non-blank character before the type) to the type's end.
  const annotation = (type: TypeScript.TypeNode | undefined) => {
    if (!type) return;
    let colon = type.pos - 1;
    while (colon > 0 && /\s/.test(text[colon])) colon--;
    ranges.push([text[colon] === ':' ? colon : type.getStart(source), type.end]);
  };
  const angled = (list: TypeScript.NodeArray<TypeScript.Node> | undefined) => {
    if (!list) return;
    const open = text.lastIndexOf('<', list.pos);
    const close = text.indexOf('>', list.end);
    if (open >= 0 && close >= 0) ranges.push([open, close + 1]);
  };

  const visit = (node: TypeScript.Node): void => {
    if (
      ts.isInterfaceDeclaration(node) ||
      ts.isTypeAliasDeclaration(node) ||
      (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) ||
      ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) && !node.body) ||
      ts.isIndexSignatureDeclaration(node) ||
      (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword)
    ) {
      whole(node);
      return;
    }
    if (ts.canHaveModifiers(node)) {
      for (const m of ts.getModifiers(node) ?? []) if (TYPE_ONLY_MODIFIERS.has(m.kind)) whole(m);
    }
    if (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isPropertyDeclaration(node) || ts.isPropertySignature(node)) {
      annotation(node.type);
      if ('questionToken' in node && node.questionToken) whole(node.questionToken);
      if ('exclamationToken' in node && node.exclamationToken) whole(node.exclamationToken);
    }
    if (ts.isFunctionLike(node)) {
      annotation(node.type);
      angled(node.typeParameters);
    }
    if (ts.isClassLike(node)) angled(node.typeParameters);
    if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isExpressionWithTypeArguments(node) || ts.isTaggedTemplateExpression(node)) {
      angled(node.typeArguments);
    }
    if (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node)) {
      ranges.push([node.expression.end, node.end]);
    }
    if (ts.isTypeAssertionExpression(node)) ranges.push([node.getStart(source), node.expression.getStart(source)]);
    if (ts.isTypeNode(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return merge(ranges);
}

function merge(ranges: Range[]): Range[] {
  const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}
