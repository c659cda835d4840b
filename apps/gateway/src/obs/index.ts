export * from './obs-outputs.service';
