import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../../../../libs/domain/errors/domain-errors';
import { describeTextProblem, findTextProblem } from '../../../../libs/domain/text/untrusted-text';

/**
 * The first look at every JSON body, query and path parameter, before DTO validation: refuses shapes no
 * Homeroom request has (deep nesting, thousands of keys, prototype keys, very long property names) and
 * text no field may hold (C0 control characters, lone surrogates). Class-validator and
 * class-transformer walk objects recursively, so bounding depth and size here keeps their work bounded.
 * Body text may keep tab and line breaks (message bodies); query and path values may not.
 */
export const INPUT_LIMITS = {
  /** Deepest nesting of objects and arrays (the deepest DTO is two levels). */
  maxDepth: 8,
  /** Keys and array elements in one value, all levels together. */
  maxNodes: 2_000,
  maxPropertyNameLength: 64,
} as const;

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const CHECKED_SOURCES = new Set<ArgumentMetadata['type']>(['body', 'query', 'param']);

export class HostileInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!CHECKED_SOURCES.has(metadata.type)) return value;
    const problem = inspect(value, metadata.type === 'body');
    if (problem) {
      const field = problem.path || metadata.data || metadata.type;
      throw new ValidationFailedError(`Invalid request: ${field} ${problem.message}.`, [
        { field, message: problem.message },
      ]);
    }
    return value;
  }
}

interface Problem {
  path: string;
  message: string;
}

/** An explicit stack, not recursion: a hostile depth must fail the check, not the call stack. */
export function inspect(root: unknown, allowLineBreaks: boolean): Problem | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof value === 'string') {
      const text = findTextProblem(value, allowLineBreaks);
      if (text) return { path, message: describeTextProblem(text) };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= INPUT_LIMITS.maxDepth) {
      return { path, message: `is nested too deeply (at most ${INPUT_LIMITS.maxDepth} levels)` };
    }
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((item, index) => [String(index), item])
      : Object.entries(value);
    nodes += entries.length;
    if (nodes > INPUT_LIMITS.maxNodes) {
      return {
        path: path || 'request',
        message: `has too many keys or items (at most ${INPUT_LIMITS.maxNodes})`,
      };
    }
    for (const [key, child] of entries) {
      if (!Array.isArray(value)) {
        const keyProblem = propertyNameProblem(key);
        if (keyProblem) return { path: path || 'request', message: keyProblem };
      }
      stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return undefined;
}

function propertyNameProblem(key: string): string | undefined {
  // JSON.parse and the query parser both create "__proto__" as an own key; it must never reach a DTO.
  if (PROTOTYPE_KEYS.has(key)) return `must not have a property named ${key}`;
  if (key.length > INPUT_LIMITS.maxPropertyNameLength) {
    return `has a property name longer than ${INPUT_LIMITS.maxPropertyNameLength} characters`;
  }
  const text = findTextProblem(key, false);
  return text ? `has a property name that ${describeTextProblem(text)}` : undefined;
}
