import { Controller, Get, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type Request } from 'express';
import { ApiFileUpload } from '../common/api-file-upload.decorator';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { Roles } from '../auth/roles.decorator';
import { ApiAuthenticated, ApiError, ApiUuidParam } from '../common/api-errors.decorator';
import { type Principal } from '../common/request-context';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { RosterImportDto, RosterImportStartedDto } from './roster-import.dto';
import { RosterImportService } from './roster-import.service';

/**
 * District admins only: an export is the whole district's truth (a bulk file deactivates everyone it
 * lacks), so a school admin, whose rights stop at their school, cannot import one.
 */
@ApiTags('admin')
@ApiAuthenticated()
@Roles('district_admin')
@Controller('v1/admin/roster/imports')
export class RosterImportController {
  constructor(private readonly imports: RosterImportService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiFileUpload('A zip of OneRoster 1.1 CSV files (bulk or delta).')
  @ApiAcceptedResponse({
    type: RosterImportStartedDto,
    description: 'Stored encrypted; the import workflow runs.',
  })
  @ApiError(400, 'No file field named "file".')
  @ApiError(
    409,
    'IMPORT_IN_PROGRESS: another import of the district is still running; upload again when it has finished.',
  )
  @ApiError(413, 'Larger than ROSTER_UPLOAD_MAX_BYTES.')
  @ApiError(415, 'Not a zip archive.')
  upload(@CurrentPrincipal() principal: Principal, @Req() req: Request): Promise<RosterImportStartedDto> {
    return this.imports.upload(principal, req);
  }

  @Get(':importId')
  @ApiOkResponse({ type: RosterImportDto })
  @ApiUuidParam('importId', 'No such import in the caller’s district.')
  describe(
    @CurrentPrincipal() principal: Principal,
    @Param('importId', UuidParamPipe) importId: string,
  ): Promise<RosterImportDto> {
    return this.imports.describe(principal, importId);
  }

  @Post(':importId/confirm')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({
    type: RosterImportStartedDto,
    description: 'The held import applies (audited), diffed against the roster as it is now.',
  })
  @ApiUuidParam('importId', 'No such import in the caller’s district.')
  @ApiError(
    409,
    'IMPORT_NOT_HELD: not held (already confirmed, discarded or superseded); IMPORT_IN_PROGRESS: another import is running.',
  )
  confirm(
    @CurrentPrincipal() principal: Principal,
    @Param('importId', UuidParamPipe) importId: string,
  ): Promise<RosterImportStartedDto> {
    return this.imports.confirm(principal, importId);
  }

  @Post(':importId/discard')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Discarded (audited); its stored export is deleted.' })
  @ApiUuidParam('importId', 'No such import in the caller’s district.')
  @ApiError(409, 'IMPORT_NOT_HELD: not held (already confirmed or discarded).')
  discard(
    @CurrentPrincipal() principal: Principal,
    @Param('importId', UuidParamPipe) importId: string,
  ): Promise<void> {
    return this.imports.discard(principal, importId);
  }
}
