// Placeholder: replaced by the real PostgreSQL global setup (starts a cluster in a temp dir).
export default async function setup(): Promise<void> {}
