import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { load } from 'js-yaml';

// The floors of the independent tenant, run as its own process by the bench: reading the bytes of
// every file, js-yaml loading every YAML file (its default schema; the values, no positions), and
// csv-parse parsing every CSV list (records as arrays of text, its defaults). File lists come as a
// JSON file named by argv[2]; prints the ms of each as JSON.
const { yamlFiles, csvFiles } = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { yamlFiles: string[]; csvFiles: string[] };

let started = performance.now();
const yamlBytes = yamlFiles.map((f) => readFileSync(f));
const csvBytes = csvFiles.map((f) => readFileSync(f));
const readMs = performance.now() - started;

const yamlTexts = yamlBytes.map((b) => b.toString('utf8'));
const csvTexts = csvBytes.map((b) => b.toString('utf8'));

started = performance.now();
let members = 0;
for (const text of yamlTexts) members += (load(text) as { members?: unknown[] }).members?.length ?? 0;
const jsYamlMs = performance.now() - started;

started = performance.now();
let rows = 0;
for (const text of csvTexts) rows += (parse(text) as unknown[]).length;
const csvParseMs = performance.now() - started;

process.stdout.write(`${JSON.stringify({ readMs, jsYamlMs, csvParseMs, members, rows })}\n`);
