/**
 * The Deno flags a process-pool child starts with: no more than its parent
 * has. Internal to `effect-asyncio/executor`.
 *
 * Deno tells a program what it may do (`Deno.permissions.querySync`) but not
 * the list behind a partial grant (`--allow-read=.`), so: each permission the
 * parent holds whole is passed whole (`--allow-net`); a partial read grant
 * becomes read access to those of the paths a child needs (the working
 * directory, the main module's directory, this library's root) that the
 * parent may read; other partial grants are not passed on (the child gets
 * less, never more). `--no-prompt`: a child cannot ask, its stdin is a pipe.
 *
 * @module
 */

interface DenoPermissions {
  readonly permissions: {
    querySync(descriptor: { name: string; path?: string }): { state: string }
  }
  readonly mainModule: string
  cwd(): string
}

const NAMES = ["read", "write", "net", "env", "run", "ffi", "sys", "import"] as const

const pathOf = (url: string): string | undefined => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === "file:" ? decodeURIComponent(parsed.pathname) : undefined
  } catch {
    return undefined
  }
}

/** The `deno run` permission flags of a child: the parent's grants, or less. */
export const denoPermissionFlags = (): Array<string> => {
  const deno = (globalThis as unknown as { Deno: DenoPermissions }).Deno
  const granted = (descriptor: { name: string; path?: string }): boolean => {
    try {
      return deno.permissions.querySync(descriptor).state === "granted"
    } catch {
      return false
    }
  }
  const flags = ["--no-prompt"]
  for (const name of NAMES) if (granted({ name })) flags.push(`--allow-${name}`)
  if (!flags.includes("--allow-read")) {
    const candidates = [
      (() => {
        try {
          return deno.cwd()
        } catch {
          return undefined
        }
      })(),
      pathOf(new URL(".", deno.mainModule).href),
      // This library's root: lib/executor/ → the package.
      pathOf(new URL("../../", import.meta.url).href),
    ]
    const paths = [...new Set(candidates)].filter((path): path is string =>
      path !== undefined && !path.includes(",") && granted({ name: "read", path })
    )
    if (paths.length > 0) flags.push(`--allow-read=${paths.join(",")}`)
  }
  return flags
}
