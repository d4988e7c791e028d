// A stand-in database that counts its queries, shared by the compiled and uncompiled pages.
export const queries = []

export async function query(name, arg) {
  queries.push(`${name}:${arg}`)
  await new Promise((resolve) => setTimeout(resolve, 1))
  if (arg === 'missing') throw new Error(`no ${name} ${arg}`)
  return { name, arg }
}
