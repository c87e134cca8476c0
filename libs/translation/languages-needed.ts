/**
 * The languages a text must be translated into for its readers: each reader's preferred language,
 * once, except the language it is written in. Sorted, so the same readers always give the same list.
 */
export function languagesNeeded(sourceLanguage: string, readerLanguages: Iterable<string>): string[] {
  const targets = new Set<string>();
  for (const language of readerLanguages) {
    if (language !== sourceLanguage) targets.add(language);
  }
  return [...targets].sort();
}
