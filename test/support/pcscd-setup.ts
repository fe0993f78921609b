// Placeholder: replaced by the real pcscd + vpcd global setup.
export default async function setup(): Promise<void> {}
