import { Module } from '@nestjs/common';
import { AdminUserController } from './admin-user.controller';
import { AdminUserService } from './admin-user.service';
import { UserSuspensionService } from './user-suspension.service';

@Module({ controllers: [AdminUserController], providers: [AdminUserService, UserSuspensionService] })
export class AdminUserModule {}
