export * from './api-problems.decorator';
export * from './problem-details.filter';
export * from './problem-mapping';
export * from './problem.dto';
export * from './validation';
export * from './auth.decorators';
