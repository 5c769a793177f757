// Naming a PostgreSQL store in messages, without loading the driver (a SQLite setup never does).

/** Where the store lives, for messages: the URL without its password (nor its parameters). */
export function describeTarget(url: string, schema: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    return `PostgreSQL ${u.toString()} (schema ${schema})`;
  } catch {
    return `PostgreSQL (schema ${schema})`;
  }
}
