import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './i18n';
import './styles.css';
import { App } from './App';
import { installSwedishValidation } from './components/swedish-validation';

// Form validation messages in Swedish whatever the browser's language.
installSwedishValidation(document);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
