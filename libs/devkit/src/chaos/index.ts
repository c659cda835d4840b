export * from './fault-tally';
export * from './job-holder';
