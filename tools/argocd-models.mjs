// Validate Argo CD manifests (YAML files, several documents each) against Argo CD's
// published models, the npm package @kubernetes-models/argo-cd: Application,
// ApplicationSet and AppProject documents through the package's validate().
//
// A ConfigManagementPlugin (argocd/plugin.yaml) is no Kubernetes resource: the CMP
// sidecar reads it from a file, and the package has no model of it. Its metadata is
// validated with the ObjectMeta model of @kubernetes-models/apimachinery, and the rest
// against the fields of Argo CD's PluginConfig and the rules its cmp-server applies
// when it reads the file (a name, the kind, a generate command, a way to discover).
// An Application that names a plugin defined in the same run must name it as Argo CD
// addresses it: `<name>`, or `<name>-<version>` when the plugin has a version.
//
// Usage: GWLINT_NODE_MODULES=<node_modules folder> node tools/argocd-models.mjs FILE...
// Prints `ok <file> <kind> <name>` per document; problems on stderr, exit 1.

import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.env.GWLINT_NODE_MODULES || path.resolve("node_modules");
const load = (file) => import(pathToFileURL(path.join(modules, file)).href);

const argo = await load("@kubernetes-models/argo-cd/argoproj.io/v1alpha1/index.js");
const { ObjectMeta } = await load(
  "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta.js",
);
const yaml = (await load("js-yaml/dist/js-yaml.mjs")).default;

const MODELS = {
  Application: argo.Application,
  ApplicationSet: argo.ApplicationSet,
  AppProject: argo.AppProject,
};

// The fields of Argo CD's cmpserver PluginConfig, by place.
const PLUGIN_FIELDS = {
  "": ["apiVersion", "kind", "metadata", "spec"],
  spec: [
    "version",
    "init",
    "generate",
    "discover",
    "allowConcurrency",
    "lockRepo",
    "parameters",
    "preserveFileMode",
    "provideGitCreds",
  ],
  "spec.init": ["command", "args"],
  "spec.generate": ["command", "args"],
  "spec.discover": ["find", "fileName"],
  "spec.discover.find": ["command", "args", "glob"],
  "spec.parameters": ["static", "dynamic"],
  "spec.parameters.dynamic": ["command", "args"],
};

/** Problems of a ConfigManagementPlugin document. */
function pluginProblems(doc) {
  const problems = [];
  const at = (place) =>
    place === "" ? doc : place.split(".").reduce((v, k) => (v == null ? v : v[k]), doc);
  for (const [place, fields] of Object.entries(PLUGIN_FIELDS)) {
    const value = at(place);
    if (value == null) continue;
    if (typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${place || "the document"} must be a mapping`);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (!fields.includes(key)) problems.push(`unknown field ${place ? place + "." : ""}${key}`);
    }
  }
  if (doc.apiVersion !== "argoproj.io/v1alpha1") problems.push("apiVersion must be argoproj.io/v1alpha1");
  for (const place of ["spec.init", "spec.generate", "spec.discover.find", "spec.parameters.dynamic"]) {
    for (const key of ["command", "args"]) {
      const list = at(place)?.[key];
      if (list !== undefined && !(Array.isArray(list) && list.every((s) => typeof s === "string"))) {
        problems.push(`${place}.${key} must be a list of strings`);
      }
    }
  }
  for (const key of ["version"]) {
    const value = doc.spec?.[key];
    if (value !== undefined && typeof value !== "string") problems.push(`spec.${key} must be a string`);
  }
  try {
    new ObjectMeta(doc.metadata ?? {}).validate();
  } catch (e) {
    problems.push(`metadata: ${e.message}`);
  }
  // What the cmp-server checks when it reads the file.
  if (!doc.metadata?.name) problems.push("metadata.name should be non-empty");
  if (!(doc.spec?.generate?.command?.length > 0)) problems.push("spec.generate.command should be non-empty");
  const discover = doc.spec?.discover ?? {};
  if (!discover.find?.glob && !(discover.find?.command?.length > 0) && !discover.fileName) {
    problems.push("one of spec.discover.find.command, spec.discover.find.glob or spec.discover.fileName should be non-empty");
  }
  return problems;
}

const documents = [];
let failed = false;
for (const file of process.argv.slice(2)) {
  let docs;
  try {
    docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d != null);
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    failed = true;
    continue;
  }
  for (const doc of docs) documents.push({ file, doc });
}

const plugins = new Map();
for (const { doc } of documents) {
  if (doc.kind === "ConfigManagementPlugin" && doc.metadata?.name) {
    const name = doc.metadata.name;
    plugins.set(doc.spec?.version ? `${name}-${doc.spec.version}` : name, doc);
  }
}

for (const { file, doc } of documents) {
  const name = doc?.metadata?.name ?? "";
  let problems = [];
  if (doc?.kind === "ConfigManagementPlugin") {
    problems = pluginProblems(doc);
  } else if (MODELS[doc?.kind]) {
    try {
      new MODELS[doc.kind](doc).validate();
    } catch (e) {
      problems.push(e.message);
    }
    if (doc.apiVersion !== "argoproj.io/v1alpha1") problems.push("apiVersion must be argoproj.io/v1alpha1");
    const sources = [doc.spec?.source, ...(doc.spec?.sources ?? [])].filter(Boolean);
    for (const source of sources) {
      const wanted = source.plugin?.name;
      if (wanted && plugins.size > 0 && !plugins.has(wanted)) {
        problems.push(`plugin \`${wanted}\` is not the name of a plugin given (${[...plugins.keys()].join(", ")})`);
      }
    }
  } else {
    problems.push(`kind ${doc?.kind} is not an Argo CD kind this script knows`);
  }
  if (problems.length > 0) {
    failed = true;
    for (const problem of problems) console.error(`${file}: ${doc?.kind} ${name}: ${problem}`);
  } else {
    console.log(`ok ${file} ${doc.kind} ${name}`);
  }
}
process.exit(failed ? 1 : 0);
