/**
 * Where a runtime message sends its reader: a page of the repository's docs/ that the package
 * ships (its build copies them with scripts/ship-docs.mjs; test/published.test.ts checks that every
 * link in the built code names a shipped page and one of its headings), so it resolves in every
 * install.
 *
 *   docsLink('runtime.md', 'Values')  ->  'node_modules/@revalidate/runtime/docs/runtime.md#values'
 */
export function docsLink(page: string, heading?: string): string {
  const anchor = heading === undefined ? '' : `#${heading.toLowerCase().replace(/[^\w\- ]/g, '').replaceAll(' ', '-')}`
  return `node_modules/@revalidate/runtime/docs/${page}${anchor}`
}
