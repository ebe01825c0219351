export { type AppContext, type ContextOptions, createContext, type ReadinessCheck } from './context.js';
