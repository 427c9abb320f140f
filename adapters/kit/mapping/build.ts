// The compile checks of mapping.md §14 (stage 3) and the warnings (stage 4), run on a document the schema accepted,
// building the plan as they go. Every error carries a JSON Pointer into the mapping.
import type { Constant, Conversion, ListPlan, MappingPlan, PathPlan, RulePlan, TablePlan } from './plan.js';
import { DEFAULT_TEXT_MAX, EXTENSION_LIST_MAX_ITEMS, extensionInfo, extensionTarget, type TargetCatalogue, type TargetInfo } from './targets.js';
import { compileDatePattern, parseTimeOfDay, type DatePattern } from './dates.js';
import { normaliseText, foldForMatch } from '../../../src/util/text.js';
import { parseRfc3339 } from '../../../src/util/time.js';
import type { MappingError } from './ajv-messages.js';

type Doc = Record<string, any>;
const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const CONVERSIONS = ['table', 'date', 'number', 'digits', 'lookup'] as const;
const SOURCES = ['from', 'firstOf', 'joinOf', 'value'] as const;
const CONTENT_TYPES = { json: ['application/json', 'text/plain'], xml: ['application/xml', 'text/xml'] };
const REF_TARGET: TargetInfo = { name: 'ref', kind: 'text', path: [], maxLength: 64, schema: { type: 'string', maxLength: 64 } };

/** How a table matches (§5.1), applied to natives at compile time and to values at run time. */
export function matchKey(match: TablePlan['match'], value: string): string {
  if (match === 'upper') return normaliseText(value).toLocaleUpperCase('vi');
  if (match === 'fold') return foldForMatch(value);
  return value.trim();
}

/** Does a constant suit a target (§14: value, default, otherwise.value, table values)? A string is the reason. */
export function checkConstant(t: TargetInfo, v: Constant): string | null {
  if (t.kind === 'any') return null;
  if (v === null) return t.nullable ? null : `${t.name} cannot be null`;
  switch (t.kind) {
    case 'text': return typeof v === 'string' && v.length <= (t.maxLength ?? DEFAULT_TEXT_MAX) ? null : `${t.name} takes text of at most ${t.maxLength ?? DEFAULT_TEXT_MAX} characters`;
    case 'enum': return t.enum!.includes(v) ? null : `${t.name} must be one of ${t.enum!.map((x) => JSON.stringify(x)).join(', ')}`;
    case 'integer': return typeof v === 'number' && Number.isInteger(v) && (t.minimum === undefined || v >= t.minimum) && (t.maximum === undefined || v <= t.maximum)
      ? null : `${t.name} must be an integer${t.minimum !== undefined ? ` ${t.minimum}–${t.maximum ?? '…'}` : ''}`;
    case 'boolean': return typeof v === 'boolean' ? null : `${t.name} must be true or false`;
    case 'dateTime': return typeof v === 'string' && parseRfc3339(v) !== null ? null : `${t.name} must be an RFC 3339 date-time with an offset`;
  }
}

export class PlanBuilder {
  readonly errors: MappingError[] = [];
  readonly warnings: MappingError[] = [];
  private readonly tables = new Map<string, TablePlan>();
  private readonly usedTables = new Set<string>();
  private readonly xml: boolean;
  private readonly notCarried: Set<string>;

  constructor(private readonly doc: Doc, private readonly cat: TargetCatalogue) {
    this.xml = doc.source.format === 'xml';
    this.notCarried = new Set<string>(doc.encode?.notCarried ?? []);
  }

  private err(path: string, message: string): void { this.errors.push({ path, message }); }

  path(text: string, ptr: string): PathPlan {
    const segs = text.split('/');
    let attr: string | undefined;
    const last = segs[segs.length - 1]!;
    if (last.startsWith('@')) {
      attr = last.slice(1);
      segs.pop();
      if (!this.xml) this.err(ptr, '@ names an XML attribute: not in a JSON mapping');
      if (attr === '') this.err(ptr, 'an attribute needs a name after @');
    }
    if (segs.some((s) => s === '..')) this.err(ptr, 'a path may not use ..');
    if (segs.includes('.')) {
      if (segs.length !== 1 || attr !== undefined) this.err(ptr, '. stands alone: it is the node itself');
      return { text, segs: [] };
    }
    return { text, segs, ...(attr !== undefined ? { attr } : {}) };
  }

  build(): MappingPlan {
    const d = this.doc;
    const src = d.source;
    const format = src.format as 'json' | 'xml';
    const contentTypes: string[] = src.contentTypes ?? (format === 'json' ? ['application/json'] : ['application/xml', 'text/xml']);
    contentTypes.forEach((c, i) => { if (!CONTENT_TYPES[format].includes(c)) this.err(`/source/contentTypes/${i}`, `must be one of ${CONTENT_TYPES[format].join(', ')} for ${format}`); });
    if (format === 'xml' && src.root === undefined) this.err('/source', 'needs root');
    if (format === 'json' && src.root !== undefined) this.err('/source/root', 'root is for XML mappings');
    if (src.item !== undefined && src.items !== undefined) this.err('/source/items', 'item and items exclude each other');
    if (src.maxItems !== undefined && src.items === undefined) this.err('/source/maxItems', 'maxItems goes with items');
    const namespaces = new Map<string, string>(Object.entries(src.namespaces ?? {}));
    const namespaceOf = new Map<string, string>(Object.entries(src.namespaceOf ?? {}));
    if (format === 'json') {
      if (src.namespaces) this.err('/source/namespaces', 'namespaces are for XML mappings');
      if (src.namespaceOf) this.err('/source/namespaceOf', 'namespaceOf is for XML mappings');
    }
    for (const [name, prefix] of namespaceOf) if (!namespaces.has(prefix)) this.err(`/source/namespaceOf/${esc(name)}`, `no prefix "${prefix}" in namespaces`);
    for (const [name, t] of Object.entries<Doc>(d.tables ?? {})) this.tables.set(name, this.table(name, t));
    const partial = src.partial === true;
    const ref: { localCode?: RulePlan; code?: RulePlan } = {};
    if (d.ref.localCode) ref.localCode = this.rule(d.ref.localCode, '/ref/localCode', REF_TARGET);
    else if (!partial) this.err('/ref', 'needs localCode (unless source.partial)');
    if (d.ref.code) ref.code = this.rule(d.ref.code, '/ref/code', REF_TARGET);
    if (!d.ref.localCode && !d.ref.code) this.err('/ref', 'needs localCode or code: an item must name its dossier');
    let transfer: MappingPlan['transfer'];
    if (d.transfer) {
      const txt: TargetInfo = { name: 'transfer', kind: 'text', path: [], maxLength: 2000, schema: {} };
      transfer = {
        at: this.path(d.transfer.at, '/transfer/at'),
        toAgency: this.rule(d.transfer.fields.toAgency, '/transfer/fields/toAgency', { ...txt, maxLength: 35 }),
        ...(d.transfer.fields.reason ? { reason: this.rule(d.transfer.fields.reason, '/transfer/fields/reason', txt) } : {}),
      };
    }
    const fields: (RulePlan | ListPlan)[] = [];
    for (const [name, r] of Object.entries<Doc>(d.fields)) {
      const ptr = `/fields/${esc(name)}`;
      const scalar = this.cat.scalars.get(name);
      const list = this.cat.lists.get(name);
      const ext = extensionTarget(name);
      if (ext && (FORBIDDEN.has(ext.ns) || FORBIDDEN.has(ext.key))) { this.err(ptr, 'a target may not name __proto__, constructor or prototype'); continue; }
      if (scalar) fields.push(this.rule(r, ptr, scalar));
      else if (list) fields.push(this.list(r, ptr, name, list.path, list.maxItems, (f) => list.fields.get(f)));
      else if (ext && r.each !== undefined) fields.push(this.list(r, ptr, name, ['extensions', ext.ns, ext.key], EXTENSION_LIST_MAX_ITEMS, (f) => extensionInfo(f, [f])));
      else if (ext) fields.push(this.rule(r, ptr, extensionInfo(name, ['extensions', ext.ns, ext.key])));
    }
    if (!partial) for (const t of this.cat.required) if (!(t in d.fields)) this.err('/fields', `needs a rule for ${t} (a required canonical field), unless source.partial`);
    const write = Object.entries<Doc>(d.encode?.write ?? {}).map(([p, w]) => ({ path: this.path(p, `/encode/write/${esc(p)}`), value: w.value as Constant }));
    (d.encode?.notCarried ?? []).forEach((p: string, i: number) => { if (!this.namesTarget(p)) this.err(`/encode/notCarried/${i}`, `"${p}" names no canonical target`); });
    const reply = d.encode?.reply;
    for (const [name] of this.tables) if (!this.usedTables.has(name)) this.warnings.push({ path: `/tables/${esc(name)}`, message: `table ${name} is not used` });
    return {
      format, contentTypes, ...(src.root ? { root: src.root } : {}),
      ...(src.item ? { item: this.path(src.item, '/source/item') } : {}),
      ...(src.items ? { items: this.path(src.items, '/source/items') } : {}),
      maxItems: src.maxItems ?? 500, namespaces, namespaceOf,
      ignore: (src.ignore ?? []).map((p: string, i: number) => this.path(p, `/source/ignore/${i}`)),
      partial, ref, ...(transfer ? { transfer } : {}), fields, write, notCarried: [...this.notCarried],
      ...(reply ? { reply: { ...(reply.okStatus ? { okStatus: reply.okStatus } : {}), ...(reply.okWhen ? { okWhen: { path: this.path(reply.okWhen.path, '/encode/reply/okWhen/path'), equals: reply.okWhen.equals } } : {}) } } : {}),
    };
  }

  private namesTarget(pointer: string): boolean {
    const segs = pointer.slice(1).split('/');
    const dotted = segs.join('.');
    if (this.cat.scalars.has(dotted) || this.cat.lists.has(dotted) || extensionTarget(dotted)) return true;
    for (let k = 1; k < segs.length; k++) {
      const list = this.cat.lists.get(segs.slice(0, k).join('.'));
      if (list) return list.fields.has(segs.slice(k).join('.'));
    }
    return false;
  }

  private table(name: string, t: Doc): TablePlan {
    const match = (t.match ?? 'exact') as TablePlan['match'];
    const decode = new Map<string, Constant>();
    const encode = new Map<string, string>();
    for (const [c, n] of (t.encodeAs ?? []) as [Constant, string][]) if (!encode.has(JSON.stringify(c))) encode.set(JSON.stringify(c), n);
    (t.entries as [string, Constant][]).forEach(([native, canonical], i) => {
      const key = matchKey(match, native);
      if (decode.has(key)) {
        this.warnings.push({ path: `/tables/${esc(name)}/entries/${i}`, message: `"${native}" is already in table ${name}${key !== native ? ` (as "${key}")` : ''}: the first entry wins` });
      } else decode.set(key, canonical);
      if (!encode.has(JSON.stringify(canonical))) encode.set(JSON.stringify(canonical), native);
    });
    const otherwise = t.otherwise === undefined ? 'error' : t.otherwise;
    return { name, match, decode, encode, otherwise };
  }

  private tableFor(name: string, ptr: string, target: TargetInfo): TablePlan | undefined {
    const table = this.tables.get(name);
    if (!table) { this.err(`${ptr}/table`, `no table "${name}"`); return undefined; }
    const first = !this.usedTables.has(name);
    this.usedTables.add(name);
    const raw = this.doc.tables[name];
    (raw.entries as [string, Constant][]).forEach(([, c], i) => {
      const why = checkConstant(target, c);
      if (why) this.err(`/tables/${esc(name)}/entries/${i}/1`, `${why} (table ${name} is used by ${ptr})`);
    });
    if (raw.otherwise?.value !== undefined) { const why = checkConstant(target, raw.otherwise.value); if (why) this.err(`/tables/${esc(name)}/otherwise/value`, why); }
    if (raw.otherwise === 'keep' && target.kind !== 'text' && target.kind !== 'any') this.err(`/tables/${esc(name)}/otherwise`, `keep is for text targets (${ptr} is not one)`);
    if (first && (target.name === 'status')) {
      const missing = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((s) => !table.encode.has(JSON.stringify(s)));
      if (missing.length) this.warnings.push({ path: `/tables/${esc(name)}`, message: `status table ${name} has no native value for ${missing.join(', ')}: those statuses cannot be encoded` });
    }
    return table;
  }

  private list(r: Doc, ptr: string, name: string, path: readonly string[], canonicalMax: number, field: (f: string) => TargetInfo | undefined): ListPlan {
    const fields: RulePlan[] = [];
    for (const [f, fr] of Object.entries<Doc>(r.fields)) {
      const info = field(f);
      if (FORBIDDEN.has(f)) { this.err(`${ptr}/fields/${esc(f)}`, 'a field may not name __proto__, constructor or prototype'); continue; }
      if (info) fields.push(this.rule(fr, `${ptr}/fields/${esc(f)}`, { ...info, name: `${name}.${f}` }, `/${path.join('/')}/${f.split('.').join('/')}`));
    }
    const each = this.path(r.each, `${ptr}/each`);
    if (each.attr !== undefined || each.segs.length === 0) this.err(`${ptr}/each`, 'each names repeated elements, not an attribute or the node itself');
    if (r.keepIf !== undefined && !(r.keepIf in r.fields)) this.err(`${ptr}/keepIf`, `"${r.keepIf}" is not a field of this list rule`);
    return { ptr, name, path, each, fields, ...(r.keepIf !== undefined ? { keepIf: r.keepIf } : {}), maxItems: Math.min(r.maxItems ?? canonicalMax, canonicalMax) };
  }

  rule(r: Doc, ptr: string, target: TargetInfo, pointer = `/${target.path.join('/')}`, inFallback = false): RulePlan {
    const sources = SOURCES.filter((k) => r[k] !== undefined);
    if (sources.length !== 1) this.err(ptr, `a rule has exactly one source (from, firstOf, joinOf or value); this one has ${sources.length ? sources.join(', ') : 'none'}`);
    const conversions = CONVERSIONS.filter((k) => r[k] !== undefined);
    if (conversions.length > 1) this.err(ptr, `a rule has at most one conversion; this one has ${conversions.join(', ')}`);
    const isExt = target.kind === 'any';
    let source: RulePlan['source'] = { kind: 'value', value: null };
    if (r.value !== undefined) {
      source = { kind: 'value', value: r.value };
      const why = checkConstant(target, r.value);
      if (why && target.name !== 'ref') this.err(`${ptr}/value`, why);
    } else if (r.from !== undefined) source = { kind: 'from', paths: [this.path(r.from, `${ptr}/from`)] };
    else if (r.firstOf) source = { kind: 'firstOf', paths: r.firstOf.map((p: string, i: number) => this.path(p, `${ptr}/firstOf/${i}`)) };
    else if (r.joinOf) {
      source = { kind: 'joinOf', paths: r.joinOf.paths.map((p: string, i: number) => this.path(p, `${ptr}/joinOf/paths/${i}`)), with: r.joinOf.with ?? ' ' };
      if (r.joinOf.with === '') this.warnings.push({ path: `${ptr}/joinOf/with`, message: 'joinOf with an empty "with" cannot be split back on encode' });
    }
    if (r.default !== undefined) { const why = checkConstant(target, r.default); if (why) this.err(`${ptr}/default`, why); }
    if (r.split !== undefined && !isExt) this.err(`${ptr}/split`, 'split is allowed on extension targets only');
    let conversion: Conversion | undefined;
    if (r.table !== undefined) { const table = this.tableFor(r.table, ptr, target); if (table) conversion = { kind: 'table', table }; }
    if (r.date !== undefined) {
      if (target.kind !== 'dateTime' && !isExt) this.err(`${ptr}/date`, `date is for date-time targets (${target.name} is not one)`);
      const patterns: DatePattern[] = [];
      (r.date as string[]).forEach((p, i) => { const c = compileDatePattern(p); if (typeof c === 'string') this.err(`${ptr}/date/${i}`, c); else patterns.push(c); });
      const tod = parseTimeOfDay(r.dateOnly ?? (target.dueDate ? '17:00' : '00:00'))!;
      conversion = { kind: 'date', patterns, dateOnly: tod, ...(r.timeFrom !== undefined ? { timeFrom: this.path(r.timeFrom, `${ptr}/timeFrom`) } : {}) };
    } else {
      if (r.dateOnly !== undefined) this.err(`${ptr}/dateOnly`, 'dateOnly goes with date');
      if (r.timeFrom !== undefined) this.err(`${ptr}/timeFrom`, 'timeFrom goes with date');
      if (target.kind === 'dateTime' && r.value === undefined && r.table === undefined && sources.length === 1) this.err(ptr, `${target.name} is a date-time: the rule needs date (or value)`);
    }
    if (r.number !== undefined) {
      const group = r.number.group ?? '';
      const decimal = r.number.decimal ?? (group === '.' ? ',' : '.');
      if (group === decimal) this.err(`${ptr}/number`, 'group and decimal must differ');
      if (target.kind !== 'integer' && !isExt) this.err(`${ptr}/number`, `number is for numeric targets (${target.name} is not one)`);
      if (target.kind === 'integer' && r.number.integer !== true) this.err(`${ptr}/number/integer`, `${target.name} is an integer: number needs integer: true`);
      conversion = { kind: 'number', group, decimal, integer: r.number.integer === true, spec: JSON.stringify({ group, decimal, ...(r.number.integer ? { integer: true } : {}) }) };
    }
    if (r.digits !== undefined) {
      if (target.kind !== 'text' && !isExt) this.err(`${ptr}/digits`, `digits is for text targets (${target.name} is not one)`);
      const o = r.digits === true ? {} : r.digits;
      conversion = { kind: 'digits', strict: o.strict === true, ...(o.lengths ? { lengths: o.lengths } : {}), plus: target.name === 'applicant.phone' };
    }
    if (r.lookup !== undefined) {
      if (r.lookup === 'agencyLevel' && !target.name.endsWith('.level')) this.err(`${ptr}/lookup`, 'agencyLevel is for the *.level targets');
      if (r.lookup === 'procedureName' && target.name !== 'procedure.name') this.err(`${ptr}/lookup`, 'procedureName is for procedure.name');
      conversion = { kind: 'lookup', catalogue: r.lookup };
    }
    if (r.jsonType !== undefined && this.xml) this.err(`${ptr}/jsonType`, 'jsonType is for JSON mappings');
    if (r.encode !== undefined && r.encode !== false && sources[0] === 'value') this.err(`${ptr}/encode`, 'encode: {value} needs a rule with a path (from, firstOf or joinOf)');
    const fallback = r.fallback ? this.rule(r.fallback, `${ptr}/fallback`, target, pointer, true) : undefined;
    const encode: RulePlan['encode'] = r.encode === false ? false : r.encode ? { value: r.encode.value } : true;
    const writesNothing = encode === false || (encode === true && (sources[0] === 'value' || r.segment !== undefined || r.lookup !== undefined));
    if (!inFallback && writesNothing && target.name !== 'ref' && !this.carriedNot(pointer)) {
      this.warnings.push({ path: ptr, message: `${target.name} is not written on encode: add ${pointer} to encode.notCarried or give encode: {value}` });
    }
    return {
      ptr, target, source, ...(fallback ? { fallback } : {}), hasDefault: r.default !== undefined, ...(r.default !== undefined ? { default: r.default } : {}),
      required: r.required === true, clean: r.text === 'clean', ...(r.segment ? { segment: r.segment } : {}), ...(r.case ? { case: r.case } : {}),
      ...(r.split !== undefined ? { split: r.split } : {}), ...(conversion ? { conversion } : {}), decode: r.decode !== false, encode,
      jsonType: r.jsonType ?? 'string', rawMax: 4 * (target.maxLength ?? DEFAULT_TEXT_MAX),
    };
  }

  private carriedNot(pointer: string): boolean {
    for (let p = pointer; p; p = p.slice(0, p.lastIndexOf('/'))) if (this.notCarried.has(p)) return true;
    return false;
  }
}
