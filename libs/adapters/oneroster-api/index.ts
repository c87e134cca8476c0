export * from './client';
export * from './export-zip';
export * from './records';
export * from './settings';
