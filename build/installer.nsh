; Included by electron-builder's NSIS installer (it picks up build/installer.nsh by name).
; docs/windows.md, "Configure".
;
; The folder of the machine's configuration file, %ProgramData%\Omsorgsportalen, made so that only
; administrators, SYSTEM can change it (users read): owner Administrators, inheritance from
; ProgramData cut (by default ProgramData lets every user add files to its subfolders), SIDs rather
; than names (the group names are translated on a Swedish Windows). The app refuses a configuration
; file that anyone else can write (main/config/machine-config.ts, readAdminOnlyConfig).
;
; Only when the installer runs with administrator rights (the per-user installer usually does not:
; then the configuration comes from the policy key, or IT creates the folder, docs/windows.md), and
; only when the folder is not there: a folder a user made may hold a file of theirs, and taking it
; over would make that file trusted. The app keeps refusing such a folder until an administrator
; removes it.
!macro customInstall
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 == "Admin"
    SetShellVarContext all
    ${IfNot} ${FileExists} "$APPDATA\Omsorgsportalen\*.*"
      CreateDirectory "$APPDATA\Omsorgsportalen"
      nsExec::ExecToLog '"$SYSDIR\icacls.exe" "$APPDATA\Omsorgsportalen" /setowner *S-1-5-32-544 /Q'
      Pop $1
      nsExec::ExecToLog '"$SYSDIR\icacls.exe" "$APPDATA\Omsorgsportalen" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /Q'
      Pop $2
      ${If} $1 != 0
      ${OrIf} $2 != 0
        DetailPrint "Omsorgsportalen: behörigheterna för $APPDATA\Omsorgsportalen kunde inte sättas (icacls $1, $2)"
      ${EndIf}
    ${EndIf}
    ; Back to the per-user context the installer runs in.
    ${If} $installMode == "CurrentUser"
      SetShellVarContext current
    ${EndIf}
  ${EndIf}
!macroend
