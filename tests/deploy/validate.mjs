// Validates rendered Kubernetes objects against the Kubernetes API schemas, as the API server
// would with strict field validation (kubectl apply --validate=strict):
//   1. the schema of the object's apiVersion/kind (types, required fields, enums, formats) with
//      the npm package kubernetes-models (and @kubernetes-models/keda, .../prometheus-operator
//      for ScaledObject and ServiceMonitor);
//   2. no unknown fields: kubernetes-models' JSON schemas let unknown fields through, so the
//      field names of every object are checked against the type declarations (.d.ts) the same
//      packages ship, recursively.
//
// usage: node tests/deploy/validate.mjs NODE_DIR RENDERED.json
//   NODE_DIR: the folder with node_modules (build/deploy-node, made by tests/deploy/build.sh)
//   RENDERED.json: {manifests: [{object}]}, the objects helm rendered (tests/deploy/deploylib.py)
// Prints one line per object and exits 1 when any object is invalid.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [nodeDir, renderedPath] = process.argv.slice(2);
if (!nodeDir || !renderedPath) {
  console.error('usage: validate.mjs NODE_DIR RENDERED.json');
  process.exit(2);
}
const modules = path.join(path.resolve(nodeDir), 'node_modules');
const packages = ['kubernetes-models', ...fs.readdirSync(path.join(modules, '@kubernetes-models'))
  .filter((p) => !['apimachinery', 'base', 'validate'].includes(p)).map((p) => `@kubernetes-models/${p}`)];

// the model class file of apiVersion/kind: PACKAGE/[GROUP/]VERSION/KIND.js
function modelFile(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  for (const pkg of packages) {
    const f = path.join(modules, pkg, group, version, `${kind}.js`);
    if (fs.existsSync(f)) return f;
  }
  return null;
}

// ---- a reader for the type declarations the packages ship (only the forms they use)

const declCache = new Map();

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

function resolveImport(fromFile, spec) {
  let base = spec.startsWith('.') ? path.resolve(path.dirname(fromFile), spec) : path.join(modules, spec);
  base = base.replace(/\.js$/, '');
  return base + '.d.ts';
}

// One .d.ts file: its imports (name → file), its interfaces' bodies, its type aliases and
// its `export type { IX as IName }` re-exports.
function readDecl(file) {
  if (declCache.has(file)) return declCache.get(file);
  const text = stripComments(fs.readFileSync(file, 'utf8'));
  const d = { file, imports: new Map(), interfaces: new Map(), aliases: new Map(), reexports: new Map() };
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const name of m[1].split(',').map((s) => s.trim()).filter(Boolean)) {
      const [orig, local] = name.split(/\s+as\s+/);
      d.imports.set((local || orig).trim(), { file: resolveImport(file, m[2]), name: orig.trim() });
    }
  }
  for (const m of text.matchAll(/export\s+type\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const [orig, alias] = part.split(/\s+as\s+/).map((s) => s && s.trim());
      if (alias) d.reexports.set(alias, orig);
    }
  }
  for (const m of text.matchAll(/(?:export\s+)?interface\s+(\w+)[^{]*\{/g)) {
    d.interfaces.set(m[1], bracedBody(text, m.index + m[0].length - 1));
  }
  for (const m of text.matchAll(/(?:export\s+)?type\s+(\w+)\s*=\s*/g)) {
    const end = text.indexOf(';', m.index + m[0].length);
    d.aliases.set(m[1], text.slice(m.index + m[0].length, end));
  }
  declCache.set(file, d);
  return d;
}

function bracedBody(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error('unbalanced braces');
}

// Splits s at sep where no bracket is open.
function splitTop(s, sep) {
  const out = [];
  let depth = 0, cur = '', quote = false;
  for (const c of s) {
    if (c === '"') quote = !quote;
    if (!quote) {
      if ('{<(['.includes(c)) depth++;
      if ('}>)]'.includes(c)) depth--;
      if (c === sep && depth === 0) { out.push(cur); cur = ''; continue; }
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

// A type: {kind: 'object', fields: Map(name → type)} | {kind: 'map', value} |
// {kind: 'array', item} | {kind: 'leaf'}; ctx is the declaration file names resolve in.
function parseType(src, ctx) {
  const s = src.trim();
  const union = splitTop(s, '|');
  if (union.length > 1) {
    const objs = union.map((u) => parseType(u, ctx)).filter((t) => t.kind !== 'leaf');
    return objs.length === 1 ? objs[0] : { kind: 'leaf' };
  }
  if (s.startsWith('Array<') && s.endsWith('>')) return { kind: 'array', item: parseType(s.slice(6, -1), ctx) };
  if (s.endsWith('[]')) return { kind: 'array', item: parseType(s.slice(0, -2), ctx) };
  if (s.startsWith('{')) {
    const body = bracedBody(s, 0);
    const idx = body.match(/^\s*\[\s*\w+\s*:\s*string\s*\]\s*:\s*([\s\S]*?);?\s*$/);
    if (idx) return { kind: 'map', value: parseType(idx[1], ctx) };
    return { kind: 'object', fields: parseFields(body, ctx) };
  }
  if (/^\w+$/.test(s) && !['string', 'number', 'boolean', 'any', 'unknown', 'null', 'object', 'undefined'].includes(s)) {
    return { kind: 'ref', name: s, ctx };
  }
  return { kind: 'leaf' };
}

function parseFields(body, ctx) {
  const fields = new Map();
  for (const member of splitTop(body, ';')) {
    const m = member.trim().match(/^"?([^"?:]+)"?\??\s*:\s*([\s\S]+)$/);
    if (m) fields.set(m[1], () => parseType(m[2], ctx));
  }
  return fields;
}

// Finds the declaration behind a type name used in file ctx: an interface (object) or an
// alias (parsed); names may be imported, re-exported under another name, or local.
function resolveRef(name, ctx, depth = 0) {
  if (depth > 10) return { kind: 'leaf' };
  const d = readDecl(ctx);
  const local = d.reexports.get(name) || name;
  if (d.interfaces.has(local)) {
    const body = d.interfaces.get(local);
    return { kind: 'object', fields: parseFields(body, ctx) };
  }
  if (d.aliases.has(local)) return expand(parseType(d.aliases.get(local), ctx), depth + 1);
  if (d.imports.has(name)) {
    const imp = d.imports.get(name);
    if (!fs.existsSync(imp.file)) return { kind: 'leaf' };
    return resolveRef(imp.name, imp.file, depth + 1);
  }
  return { kind: 'leaf' };
}

function expand(t, depth = 0) {
  return t.kind === 'ref' ? resolveRef(t.name, t.ctx, depth) : t;
}

// Walks obj along type t and reports fields the type does not have.
function unknownFields(obj, t, where, out) {
  t = expand(t);
  if (obj === null || obj === undefined) return;
  if (t.kind === 'array' && Array.isArray(obj)) {
    obj.forEach((v, i) => unknownFields(v, t.item, `${where}[${i}]`, out));
  } else if (t.kind === 'map' && typeof obj === 'object') {
    for (const [k, v] of Object.entries(obj)) unknownFields(v, t.value, `${where}.${k}`, out);
  } else if (t.kind === 'object' && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) {
      const f = t.fields.get(k);
      if (!f) out.push(`${where ? where + '.' : ''}${k}: unknown field`);
      else unknownFields(v, f(), `${where ? where + '.' : ''}${k}`, out);
    }
  }
}

// ---- what the API server checks beyond the schema, for the kinds the chart renders

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function semantic(o, errors) {
  const name = o.metadata?.name ?? '';
  if (!DNS_SUBDOMAIN.test(name) || name.length > 253) errors.push(`metadata.name ${name}: not a DNS subdomain`);
  if (o.kind === 'Service' && (!DNS_LABEL.test(name) || name.length > 63)) errors.push(`Service name ${name}: not a DNS label`);
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) errors.push(`label ${k}=${v}: not a label value`);
  }
  const pod = o.spec?.template?.spec;
  if (!pod) return;
  const sel = o.spec.selector?.matchLabels ?? {};
  const labels = o.spec.template.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(sel)) {
    if (labels[k] !== v) errors.push(`selector ${k}=${v} does not match the pod template's labels`);
  }
  const volumes = new Set((pod.volumes ?? []).map((v) => v.name));
  if (volumes.size !== (pod.volumes ?? []).length) errors.push('duplicate volume names');
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const ports = new Set((c.ports ?? []).map((p) => p.name));
    const mounts = new Set();
    for (const m of c.volumeMounts ?? []) {
      if (!volumes.has(m.name)) errors.push(`container ${c.name}: volumeMount ${m.name} has no volume`);
      if (mounts.has(m.mountPath)) errors.push(`container ${c.name}: two mounts at ${m.mountPath}`);
      mounts.add(m.mountPath);
    }
    const env = (c.env ?? []).map((e) => e.name);
    const dup = env.filter((n, i) => env.indexOf(n) !== i);
    if (dup.length) errors.push(`container ${c.name}: env ${dup.join(', ')} set twice`);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const port = c[probe]?.httpGet?.port;
      if (typeof port === 'string' && !ports.has(port)) errors.push(`container ${c.name}: ${probe} port ${port} is not a container port`);
    }
  }
}

// ---- main

const rendered = JSON.parse(fs.readFileSync(renderedPath, 'utf8'));
let bad = 0;
for (const { source, object } of rendered.manifests) {
  const { apiVersion, kind } = object;
  const label = `${kind} ${object.metadata?.name ?? '?'} (${source})`;
  const file = modelFile(apiVersion, kind);
  if (!file) {
    console.log(`INVALID ${label}: no schema for ${apiVersion} ${kind}`);
    bad++;
    continue;
  }
  const errors = [];
  const mod = await import(pathToFileURL(file).href);
  try {
    new mod[kind](object).validate();
  } catch (e) {
    errors.push(e.message);
  }
  const decl = readDecl(file.replace(/\.js$/, '.d.ts'));
  const iface = `I${kind}`;
  if (!decl.interfaces.has(iface)) {
    errors.push(`no type declaration ${iface} in ${decl.file}`);
  } else {
    unknownFields(object, { kind: 'object', fields: parseFields(decl.interfaces.get(iface), decl.file) }, '', errors);
  }
  semantic(object, errors);
  if (errors.length) {
    bad++;
    console.log(`INVALID ${label}: ${errors.join('; ')}`);
  } else {
    console.log(`valid ${label}`);
  }
}
console.log(`${rendered.manifests.length} objects, ${bad} invalid`);
process.exit(bad ? 1 : 0);
