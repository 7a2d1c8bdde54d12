// Placeholder: replaced by the server-starting global setup.
export default async function setup(): Promise<void> {}
