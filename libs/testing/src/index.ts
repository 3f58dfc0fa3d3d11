export * from './test-env';
export * from './waiting';
export * from './subject-recorder';
export * from './services';
export * from './ports';
export * from './named-service';
export * from './channels';
