// The part of the Workers runtime module this package uses (workerd provides it at run time).
declare module 'cloudflare:workers' {
  export function waitUntil(promise: Promise<unknown>): void
  /** The bindings of the Worker, at module scope (recent runtimes). */
  export const env: Record<string, unknown> | undefined

  interface SqlCursor<Row> extends Iterable<Row> {
    toArray(): Row[]
    one(): Row
  }
  interface SqlStorage {
    exec<Row = Record<string, string | number | null>>(query: string, ...bindings: unknown[]): SqlCursor<Row>
  }
  interface DurableObjectStorage {
    readonly sql: SqlStorage
    getAlarm(): Promise<number | null>
    setAlarm(scheduledTime: number): Promise<void>
  }
  interface DurableObjectState {
    readonly storage: DurableObjectStorage
    blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>
    abort(reason?: string): void
  }
  /** The base class of a Durable Object that answers Workers RPC. */
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState
    protected readonly env: Env
    constructor(ctx: DurableObjectState, env: Env)
  }
}
