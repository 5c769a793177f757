import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isAlias, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { templateIssues } from '../ai/templates/index.ts';
import { compileChecked, conflictsAmongValidRoutes, crossReferenceIssues } from './crossref.ts';
import { substituteEnv } from './env.ts';
import { schemaIssues, type PathIssue } from './issues.ts';
import { locate, type ConfigPath, type SourcePosition } from './locate.ts';
import { withLoginRoute } from './login-route.ts';
import { configRevision } from './revision.ts';
import { ConfigSchema, type Config } from './schema.ts';

export interface ConfigIssue {
  /** Path into the config, e.g. ['routes', 2, 'service']. */
  path: (string | number)[];
  message: string;
  /** 1-based; absent when the problem has no place in the file (it cannot be read). */
  line?: number;
  column?: number;
}

/** A config that cannot be used, with every problem found in it, each at its line. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${issues.length} error${issues.length === 1 ? '' : 's'} in config\n` + issues.map((i) => '  ' + formatIssue(source, i)).join('\n'), options);
    this.name = 'ConfigError';
  }
}

/** `FILE:LINE:COL  path.to.field  message`, the form editors and terminals link to. */
export function formatIssue(source: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? source : `${source}:${issue.line}:${issue.column ?? 1}`;
  return `${where}  ${formatPath(issue.path)}  ${issue.message}`;
}

/** routes[2].service; a key that is not a plain word is quoted: services["a b"]. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(p) ? (i === 0 ? p : `.${p}`) : `[${JSON.stringify(p)}]`))
    .join('');
}

export interface LoadedConfig {
  config: Config;
  /** Hash of the parsed config: every decision records the revision it was made under. */
  revision: string;
  pipeline: Pipeline;
  source: string;
  /** Where a config path is written in the source, for pointing a rule at its line. */
  locate(path: (string | number)[]): SourcePosition | undefined;
  /** The candidate config of shadow mode (shadow.config), loaded and checked with this one. */
  shadow?: LoadedConfig;
}

export interface LoadOptions {
  /** Loading the candidate of shadow mode (which cannot have a shadow itself). */
  isShadow?: boolean;
  /** Values for `${NAME}` references (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Parses, validates and compiles a config. Every problem is collected (YAML syntax, then
 * schema and cross-references, then what compiling the routes finds) and thrown together
 * as one ConfigError, each issue with the line and column of the node at fault.
 */
export function loadConfigText(text: string, source = '<config>', opts: LoadOptions = {}): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const at = (path: ConfigPath, target: PathIssue['target'] = 'value') => locate(doc, lines, path, target);
  const place = (i: PathIssue): ConfigIssue => ({ path: i.path, message: i.message, ...at(i.path, i.target) });

  const syntax = syntaxIssues(doc, lines);
  if (syntax.length) throw new ConfigError(source, syntax);

  const envIssues = substituteEnv(doc, opts.env ?? process.env).map((p) => place({ ...p, target: 'value' }));
  let raw: unknown;
  try {
    raw = withLoginRoute(doc.toJS({ maxAliasCount: 100 }) ?? {});
  } catch (err) {
    throw new ConfigError(source, [{ path: [], message: (err as Error).message, line: 1, column: 1 }], { cause: err });
  }

  const parsed = ConfigSchema.safeParse(raw, { reportInput: true });
  const found: PathIssue[] = parsed.success ? [] : schemaIssues(parsed.error.issues, raw, ConfigSchema);
  const reported = new Set(found.map((i) => i.path.join('\u0000')));
  found.push(...crossReferenceIssues(raw, at).filter((i) => !reported.has(i.path.join('\u0000'))));
  let pipeline: Pipeline | undefined;
  if (parsed.success) {
    found.push(...templateIssues(parsed.data));
    const compiled = compileChecked(parsed.data);
    found.push(...compiled.issues);
    pipeline = compiled.pipeline;
  } else {
    found.push(...conflictsAmongValidRoutes(raw));
  }

  // A missing variable is the cause of whatever the schema then says about that value.
  const envAt = new Set(envIssues.map((i) => `${i.line}:${i.column}`));
  const issues = [...envIssues, ...found.map(place).filter((i) => !envAt.has(`${i.line}:${i.column}`))];
  if (issues.length || !parsed.success || !pipeline) {
    throw new ConfigError(source, issues.sort(byPosition));
  }
  const config = parsed.data;
  if (config.shadow && opts.isShadow) {
    throw new ConfigError(source, [{ path: ['shadow'], message: 'a shadow config cannot have a shadow of its own', ...at(['shadow']) }]);
  }
  const shadow = config.shadow ? loadShadow(config.shadow.config, source, opts, at(['shadow', 'config'])) : undefined;
  return { config, revision: configRevision(config), pipeline, source, locate: (path) => at(path), shadow };
}

/**
 * The shadow candidate named by shadow.config, relative to the config's own file. It must load
 * on its own; a problem in it is a problem of this config, at shadow.config.
 */
function loadShadow(file: string, source: string, opts: LoadOptions, where: SourcePosition | undefined): LoadedConfig {
  const path = resolve(dirname(resolve(source.startsWith('<') ? '.' : source)), file);
  const fail = (message: string, cause?: unknown): never => {
    throw new ConfigError(source, [{ path: ['shadow', 'config'], message, ...where }], { cause });
  };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    fail(`cannot read the shadow config ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, err);
  }
  try {
    return loadConfigText(text, path, { ...opts, isShadow: true });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return fail(`the shadow config ${file} does not load: ${err.issues.map((i) => formatIssue(path, i)).join('; ')}`, err);
  }
}

export function loadConfigFile(file: string, opts: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(file, [{ path: [], message: `cannot read the config file: ${reason}` }], { cause: err });
  }
  return loadConfigText(text, file, opts);
}

function syntaxIssues(doc: Document, lines: LineCounter): ConfigIssue[] {
  const issues: ConfigIssue[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    return { path: [], message: syntaxMessage(e.code, e.message), line: pos.line, column: pos.col };
  });
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.resolve(doc) === undefined) {
        const pos = lines.linePos(node.range?.[0] ?? 0);
        issues.push({ path: [], message: `YAML: alias *${node.source} refers to no anchor &${node.source} written before it`, line: pos.line, column: pos.col });
      }
    },
  });
  return issues.sort(byPosition);
}

function syntaxMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'YAML: the config is one document; remove the second `---` and what follows, or merge it';
  // The library appends " at line L, column C:" and a snippet; the position is shown anyway.
  return 'YAML: ' + message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
}

function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
