import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { packageRoot } from './package-root.js';

export type SchemaName = 'group' | 'config' | 'snapshot';

const compiled = new Map<SchemaName, ValidateFunction>();

/** The compiled validator of one of the JSON Schemas in `schemas/` (the single source of truth for formats). */
export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', `${name}.schema.json`), 'utf8')) as object;
    // verbose: errors carry their parentSchema, where "did you mean" finds the allowed keys.
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowMatchingProperties: true, allowUnionTypes: true });
    validate = ajv.compile(schema);
    compiled.set(name, validate);
  }
  return validate;
}
