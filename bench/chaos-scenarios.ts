import type { Row } from './chaos-kit.js';
export async function brokerRestart(_o: { seconds: number }): Promise<Row> { throw new Error('todo'); }
export async function hubKilled(_o: { seconds: number }): Promise<Row> { throw new Error('todo'); }
export async function pushTarget503(_o: { seconds: number }): Promise<Row> { throw new Error('todo'); }
