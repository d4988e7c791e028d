// @babel/helper-validator-option names a types file it does not ship; this is the part we use.
declare module '@babel/helper-validator-option' {
  export class OptionValidator {
    constructor(descriptor: string)
    /** Throws "'<name>' is not a valid top-level option. - Did you mean '<closest>'?" for an unknown key. */
    validateTopLevelOptions(options: object, shape: Record<string, string>): void
    validateBooleanOption<T>(name: string, value: unknown, defaultValue: T): boolean | T
    validateStringOption<T>(name: string, value: unknown, defaultValue: T): string | T
    invariant(condition: boolean, message: string): void
    formatMessage(message: string): string
  }
  export function findSuggestion(word: string, candidates: readonly string[]): string
}
