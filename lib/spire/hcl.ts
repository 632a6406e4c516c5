import { ValidationError } from '../validation';

/**
 * A value an HCL attribute can hold. A plain object is an HCL object (a map), written
 * `{ "key" = value }`; blocks are not values (see {@link HclBlock}).
 */
export type HclValue = string | number | boolean | readonly HclValue[] | HclObject;

/** An HCL object value: keys are data (e.g. a cluster name), always quoted. */
export interface HclObject {
  readonly [key: string]: HclValue;
}

/** The inside of a file or a block: attributes first, then nested blocks, in the order given. */
export interface HclBody {
  readonly attributes?: { readonly [name: string]: HclValue };
  readonly blocks?: readonly HclBlock[];
}

/** `type "label" … { body }`, e.g. `NodeAttestor "k8s_psat" { … }`. */
export interface HclBlock extends HclBody {
  readonly type: string;
  /** @default - no labels */
  readonly labels?: readonly string[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDENT = '    ';

/**
 * Renders a body as HCL that hashicorp/hcl v1 (which SPIRE parses with) and HCL 2 read as
 * the same values. Strings are double-quoted with `"` and `\` escaped; anything the two
 * dialects would read differently, or that needs an escape beyond those two, is refused.
 * @param source names the file in error messages, e.g. `server.conf`
 * @throws ValidationError naming the key path and the value
 */
export function renderHcl(body: HclBody, source: string): string {
  return renderBody(body, source, '', 0).join('\n') + '\n';
}

function renderBody(body: HclBody, source: string, path: string, depth: number): string[] {
  const pad = INDENT.repeat(depth);
  const lines: string[] = [];
  for (const [name, value] of Object.entries(body.attributes ?? {})) {
    const at = join(path, name);
    checkIdentifier(source, at, name);
    lines.push(`${pad}${name} = ${renderValue(value, source, at, depth)}`);
  }
  for (const block of body.blocks ?? []) {
    const labels = block.labels ?? [];
    const at = join(path, [block.type, ...labels.map((l) => JSON.stringify(l))].join(' '));
    checkIdentifier(source, at, block.type);
    const head = [block.type, ...labels.map((l, i) => quote(l, source, `${at} (label ${i})`))].join(' ');
    if (lines.length > 0) lines.push('');
    const inner = renderBody(block, source, at, depth + 1);
    if (inner.length === 0) lines.push(`${pad}${head} {}`);
    else lines.push(`${pad}${head} {`, ...inner, `${pad}}`);
  }
  return lines;
}

function renderValue(value: HclValue, source: string, path: string, depth: number): string {
  if (typeof value === 'string') return quote(value, source, path);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new ValidationError(`${source} ${path}`, value, 'must be a safe integer: HCL 1 and HCL 2 read other numbers differently');
    }
    return String(value);
  }
  if (isList(value)) {
    return `[${value.map((item, i) => renderValue(item, source, `${path}[${i}]`, depth)).join(', ')}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const pad = INDENT.repeat(depth + 1);
  const inner = entries.map(([key, item]) => {
    const at = `${path}[${JSON.stringify(key)}]`;
    return `${pad}${quote(key, source, at)} = ${renderValue(item, source, at, depth + 1)}`;
  });
  return ['{', ...inner, `${INDENT.repeat(depth)}}`].join('\n');
}

function isList(value: HclValue): value is readonly HclValue[] {
  return Array.isArray(value);
}

/**
 * A double-quoted HCL string. HCL 2 expands `${` and `%{` (HCL 1 leaves them), and the two
 * dialects escape control characters differently, so those are refused rather than guessed.
 */
function quote(value: string, source: string, path: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    // Shown JSON-escaped, so the message itself stays on one line and shows the character.
    throw new ValidationError(`${source} ${path}`, JSON.stringify(value), 'must not contain control characters (newline, tab, ...): HCL 1 and HCL 2 escape them differently');
  }
  if (value.includes('${') || value.includes('%{')) {
    throw new ValidationError(`${source} ${path}`, value, 'must not contain "${" or "%{": HCL 2 reads them as a template, HCL 1 does not');
  }
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function checkIdentifier(source: string, path: string, name: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new ValidationError(`${source} ${path}`, name, 'must be an HCL identifier: a letter or "_", then letters, digits or "_"');
  }
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}
