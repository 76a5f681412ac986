import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import './formats.js';

export interface ValidationIssue {
  /** JSON pointer into the value, e.g. "/latitude" ("" for the value itself). */
  path: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

export interface Validator<S extends TSchema> {
  readonly schema: S;
  check(value: unknown): value is Static<S>;
  validate(value: unknown): ValidationResult<Static<S>>;
}

const MAX_ISSUES = 20;

/** Compiles a TypeBox schema once into a fast validator that reports readable error paths. */
export function compileValidator<S extends TSchema>(schema: S): Validator<S> {
  const compiled: TypeCheck<S> = TypeCompiler.Compile(schema);
  return {
    schema,
    check: (value: unknown): value is Static<S> => compiled.Check(value),
    validate(value: unknown): ValidationResult<Static<S>> {
      if (compiled.Check(value)) return { ok: true, value };
      const issues: ValidationIssue[] = [];
      for (const error of compiled.Errors(value)) {
        issues.push({ path: error.path, message: error.message });
        if (issues.length >= MAX_ISSUES) break;
      }
      return { ok: false, issues };
    },
  };
}

/** "/latitude: Expected number <= 90; /seq: Expected integer" */
export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
}
